// woolly-server: everything happens in the command line's commands (src/app/cli.h).
#include "app/cli.h"
#include "app/serve.h"

int main(int argc, char** argv) { return woolly::app::run_cli(argc, argv, woolly::app::serve); }
