#include "cmd/app_flags.hpp"

#include <memory>
#include <utility>

// The whole of CLI11, not just App.hpp: an App holds a ConfigBase, whose functions are defined
// in Config.hpp.
#include <CLI/CLI.hpp>

#include "cmd/help_formatter.hpp"
#include "cmd/version.hpp"
#include "pool/bug.hpp"

namespace hload::cli {
namespace {

// option returns the declared -name; asking for an undeclared flag is a bug in cmd/.
const CLI::Option& option(const CLI::App& app, std::string_view name) {
  const CLI::Option* flag = app.get_option_no_throw("--" + std::string(name));
  HLOAD_CHECK(flag != nullptr, "flag -%s is read but was never declared",
              std::string(name).c_str());
  return *flag;
}

}  // namespace

std::unique_ptr<CLI::App> make_app(std::string description, std::string usage) {
  auto app = std::make_unique<CLI::App>(std::move(description));
  // TakeAll: CLI11 must not throw on a repeated flag (Go takes the last) nor drop -H values.
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->formatter(std::make_shared<GoStyleFormatter>(std::move(usage)));
  // The positional words (the URL) come back as remaining(); the normalizer has already
  // refused unknown flags, which allow_extras would otherwise let through.
  app->allow_extras();
  app->set_help_flag();  // removed here, declared last by add_help_and_version
  return app;
}

CLI::Option* add_value_flag(CLI::App& app, std::string_view name, std::string placeholder,
                            const std::string& description, std::string shown_default) {
  // description must be const here: CLI11 binds a mutable string as the flag's variable.
  CLI::Option* flag = app.add_option("--" + std::string(name), description);
  flag->option_text(std::move(placeholder));
  if (!shown_default.empty()) flag->default_str(std::move(shown_default));
  return flag;
}

CLI::Option* add_switch(CLI::App& app, std::string_view name, const std::string& description) {
  return app.add_flag("--" + std::string(name), description);  // const, as above
}

void add_help_and_version(CLI::App& app) {
  app.set_help_flag("--h,--help", "print this help and exit")->group("Other");
  app.set_version_flag("--version", "hload " + std::string(kVersion) + "\n",
                       "print hload's version and exit")
      ->group("Other");
}

FlagTable flag_table(const CLI::App& app) {
  FlagTable table;
  for (const CLI::Option* flag : app.get_options()) {
    const auto arity = flag->get_items_expected_max() == 0 ? FlagArity::boolean : FlagArity::value;
    for (const auto& name : flag->get_lnames()) table.emplace(name, arity);
  }
  return table;
}

const std::string* last_value(const CLI::App& app, std::string_view name) {
  const auto& results = option(app, name).results();
  return results.empty() ? nullptr : &results.back();
}

std::vector<std::string> all_values(const CLI::App& app, std::string_view name) {
  return option(app, name).results();
}

void read_switch(const CLI::App& app, std::string_view name, bool& on) {
  if (const std::string* value = last_value(app, name)) on = *value == "true";
}

bool given(const CLI::App& app, std::string_view name) { return option(app, name).count() > 0; }

}  // namespace hload::cli
