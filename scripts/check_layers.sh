#!/usr/bin/env bash
# The layers of the code base, lowest first. A layer's code (src/<layer>/ and
# include/infuse/<layer>/) may include headers of its own layer and of the layers
# below it, never of a layer above: the data flows one way, from lab.yaml to a verdict.
# Prints every include that goes up, and the folder graph with --graph; exits 1 on a violation.
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(common check sandbox containers spec evidence generate provision services grading store author cli)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

graph=0
[ "${1:-}" = "--graph" ] && graph=1
bad=0
declare -A edges
for layer in "${layers[@]}"; do
    for dir in "src/$layer" "include/infuse/$layer"; do
        [ -d "$dir" ] || continue
        while IFS= read -r hit; do
            file=${hit%%:*}
            rest=${hit#*:}; line=${rest%%:*}
            target=$(sed -E 's/.*#include "(infuse\/)?([a-z_]+)\/.*/\2/' <<<"$rest")
            [ -n "${rank[$target]+x}" ] || continue
            [ "$target" = "$layer" ] && continue
            edges["$layer -> $target"]=1
            if [ "${rank[$target]}" -gt "${rank[$layer]}" ]; then
                echo "$file:$line: layer '$layer' includes '$target', a higher layer" >&2
                bad=1
            fi
        done < <(grep -nE '^#include "' -r "$dir" || true)
    done
done
# Unknown folders would escape the check: every folder under src/ and include/infuse/ is a layer.
for dir in src/*/ include/infuse/*/; do
    name=$(basename "$dir")
    if [ -z "${rank[$name]+x}" ]; then
        echo "$dir: not a known layer (add it to scripts/check_layers.sh and docs/architecture.md)" >&2
        bad=1
    fi
done
for file in include/infuse/*.hpp; do
    [ -e "$file" ] || continue
    echo "$file: headers live in include/infuse/<layer>/" >&2
    bad=1
done
if [ "$graph" = 1 ]; then
    printf '%s\n' "${!edges[@]}" | sort
fi
[ "$bad" = 0 ] && echo "layers: every include goes down (${#layers[@]} layers)"
exit "$bad"
