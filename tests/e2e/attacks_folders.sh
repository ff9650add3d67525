# Hostile lab folders (tests/fixtures/attacks/folder-*): links that leave the lab, a brief outside
# it, and a link planted in the workspace between two starts. validate reports each at the link,
# start refuses (exit 2) before anything is written, and nothing outside the workspace is read or
# written.
source "$(dirname "$0")/lib.sh"

fixtures="$INFUSE_SOURCE_DIR/tests/fixtures/attacks"
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"

for name in folder-data-link folder-relative-link folder-brief-link; do
    expect_exit 2 lab validate "$fixtures/$name"
    expect_in "which leaves the lab folder"
    expect_exit 2 lab start "$fixtures/$name" -q
    expect_in "leaves the lab folder"
    expect_not_in "root:"
    [ ! -e "$INFUSE_LAB_HOME/attacks/$name" ] || [ -z "$(ls -A "$INFUSE_LAB_HOME/attacks/$name")" ] \
        || fail "$name: start wrote into the workspace before refusing"
done
expect_exit 2 lab validate "$fixtures/folder-brief-path"
expect_in "must be a relative path inside the lab folder"
expect_exit 2 lab start "$fixtures/folder-brief-path" -q
expect_not_in "root:x:0"

# A FIFO in a lab folder (git cannot carry one; a pack or a copy can): reported, never opened.
copy="$E2E_HOME/labs/attacks/folder-fifo"
mkdir -p "$(dirname "$copy")"
cp -r "$fixtures/folder-workspace-link" "$copy"
sed -i 's|id: attacks/folder-workspace-link|id: attacks/folder-fifo|' "$copy/lab.yaml"
mkfifo "$copy/data/pipe"
expect_exit 2 lab validate "$copy"
expect_in "FIFO"

# A link planted in the workspace (by a container, or a grader before graders saw it read-only):
# resuming neither follows it nor writes through it.
expect_exit 0 lab start "$fixtures/folder-workspace-link" -q
workspace="$INFUSE_LAB_HOME/attacks/folder-workspace-link"
[ -f "$workspace/notes/.bash_profile" ] || fail "the lab's file was not provisioned"
rm -rf "$workspace/notes"
ln -s ../../.. "$workspace/notes"
before=$(ls -A "$E2E_HOME")
expect_exit 0 lab start "$fixtures/folder-workspace-link" -q
[ ! -e "$E2E_HOME/.bash_profile" ] || fail "resume wrote through the planted link"
[ "$(ls -A "$E2E_HOME")" = "$before" ] || fail "resume created files outside the workspace"
# reset removes the link, not what it points to.
expect_exit 0 lab reset attacks/folder-workspace-link --yes
[ -d "$E2E_HOME/home" ] || fail "reset followed the planted link"
echo "PASS attacks_folders"
