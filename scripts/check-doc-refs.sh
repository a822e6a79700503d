#!/usr/bin/env bash
# check-doc-refs.sh [ROOT] fails when code cites a design document that is not there: every
# `docs/<name>.md` and `docs/<name>.md#<anchor>` in cmd/, engine/, pool/, reporters/, tests/ and
# scripts/ must name a file of docs/ and, with an anchor, one of its anchors. Anchors are made
# from headings as GitHub makes them (lower case, spaces to '-', punctuation other than '-' and
# '_' dropped, "-1", "-2" added to repeats; headings in ASCII), and explicit <a id="..."> or
# <a name="..."> tags count too. It prints "file:line: citation: what is missing" for each.
set -uo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root" || exit 2

# anchors DOC prints the anchors DOC defines, one a line. Lines in code fences are not headings.
anchors() {
  awk '
    /^(```|~~~)/ { fence = !fence; next }
    fence { next }
    /^#+[ \t]/ {
      t = $0
      sub(/^#+[ \t]+/, "", t)
      sub(/[ \t]+#+[ \t]*$/, "", t)
      t = tolower(t)
      gsub(/[^a-z0-9 _-]/, "", t)
      gsub(/ /, "-", t)
      n = seen[t]++
      print (n ? t "-" n : t)
    }
    {
      line = $0
      while (match(line, /<a (id|name)="[^"]+"/)) {
        tag = substr(line, RSTART, RLENGTH)
        sub(/^<a (id|name)="/, "", tag)
        sub(/"$/, "", tag)
        print tag
        line = substr(line, RSTART + RLENGTH)
      }
    }
  ' "$1"
}

declare -A known  # every document of docs/, and each of its anchors as <document>#<anchor>
for doc in docs/*.md; do
  [[ -f $doc ]] || continue
  known[$doc]=1
  while read -r a; do
    known[$doc#$a]=1
  done < <(anchors "$doc")
done

bad=0
count=0
while IFS=: read -r file line ref; do
  count=$((count + 1))
  doc=${ref%%#*}
  if [[ -z ${known[$doc]:-} ]]; then
    echo "$file:$line: $ref: no file $doc"
    bad=1
  elif [[ $ref == *#* && -z ${known[$ref]:-} ]]; then
    echo "$file:$line: $ref: $doc has no anchor #${ref#*#}"
    bad=1
  fi
done < <(grep -rnoE 'docs/[A-Za-z0-9_./-]+\.md(#[A-Za-z0-9_-]+)?' \
           cmd engine pool reporters tests scripts 2>/dev/null)

if ((bad)); then
  echo "check-doc-refs: citations of docs/ that lead nowhere (fix the citation or the document)" >&2
  exit 1
fi
echo "check-doc-refs: $count citations ok"
