#!/usr/bin/env bash
# Checks the compile-only Atlassian API mirror against the REAL product jars, so that every
# INFERRED signature in docs/atlassian-api.md is confirmed (or refuted) mechanically before a release.
#
# For every class in the mirror it compares, with `javap -public -s`:
#   - kind: interface vs class (a mismatch links as IncompatibleClassChangeError at run time);
#   - every public/protected member of the mirror: name + JVM descriptor + static-ness must exist in the
#     real class (a missing one links as NoSuchMethodError / NoSuchFieldError).
# Extra members in the real class are fine. Exit status 0 = all present, 1 = mismatches (listed).
#
# Usage: verify-against-sdk.sh MIRROR_CLASSES_DIR REAL_CLASSPATH
#   MIRROR_CLASSES_DIR  output of javac over java-shim/atlassian-api-mirror (see README.md)
#   REAL_CLASSPATH      the product's API jars (e.g. from the Atlassian SDK / a product install's
#                       WEB-INF/lib and bundled plugins), ':'-separated
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 MIRROR_CLASSES_DIR REAL_CLASSPATH" >&2
    exit 2
fi
mirror_dir=$1
real_cp=$2

# Prints "KIND <interface|class>" then one "MEMBER <static?> <name> <descriptor>" line per member.
signature() {
    local cp=$1 cls=$2
    { javap -public -s -cp "$cp" "$cls" 2>/dev/null || true; } | awk '
        /^[^ ].*(class|interface) / && !kind_done {
            print ($0 ~ / interface /) ? "KIND interface" : "KIND class"; kind_done = 1; next
        }
        /^    descriptor: / {
            desc = $2
            line = prev
            st = (line ~ / static /) ? "static" : "inst"
            if (line ~ /\(/) { sub(/\(.*/, "", line) } else { sub(/;$/, "", line) }
            n = split(line, parts, " "); name = parts[n]
            print "MEMBER " st " " name " " desc
            next
        }
        { prev = $0 }
    '
}

status=0
checked=0
while IFS= read -r file; do
    rel=${file#"$mirror_dir"/}
    cls=${rel%.class}
    cls=${cls//\//.}
    # anonymous classes are mirror-internal stand-ins, not API
    [[ $cls =~ \$[0-9]+$ ]] && continue
    mirror_sig=$(signature "$mirror_dir" "$cls")
    real_sig=$(signature "$real_cp" "$cls")
    checked=$((checked + 1))
    if [[ -z $real_sig ]]; then
        echo "MISSING CLASS  $cls"
        status=1
        continue
    fi
    mirror_kind=$(grep '^KIND ' <<<"$mirror_sig" || true)
    real_kind=$(grep '^KIND ' <<<"$real_sig" || true)
    if [[ $mirror_kind != "$real_kind" ]]; then
        echo "WRONG KIND     $cls: mirror ${mirror_kind#KIND }, real ${real_kind#KIND }"
        status=1
    fi
    while IFS= read -r member; do
        [[ -z $member ]] && continue
        # java.lang.Object's members resolve at run time whether or not the real class overrides them
        [[ $member =~ ^MEMBER\ inst\ (equals|hashCode|toString)\  ]] && continue
        if ! grep -qxF "$member" <<<"$real_sig"; then
            echo "MISSING MEMBER $cls: ${member#MEMBER }"
            status=1
        fi
    done < <(grep '^MEMBER ' <<<"$mirror_sig" || true)
done < <(find "$mirror_dir" -name '*.class' | sort)

echo "checked $checked mirror classes against the real classpath: $([[ $status -eq 0 ]] && echo OK || echo MISMATCHES)"
exit $status
