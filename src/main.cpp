// infuse-lab: all logic lives in the infuse_core library; this only hands over.
#include "infuse/cli/cli.hpp"

int main(int argc, char** argv) { return infuse::run_cli(argc, argv); }
