// main.cpp: the main() of gorewind::main. Link gorewind::main into an
// executable that defines scenarios (GOREWIND_SCENARIO) and it is a gorewind
// CLI over them.
#include "cli.hpp"

int main(int argc, char** argv) { return gorewind::cli::main(argc, argv); }
