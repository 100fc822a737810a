// `cuplane help`: every command on one line each, then how the client commands are configured.
// CLI11's own help describes one command with all its flags; with some thirty commands that
// share the same connection flags, a list is what a person looking for a command needs.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>

namespace cuplane::cli {

void PrintCommandList(const CLI::App& app, std::ostream& out);

}  // namespace cuplane::cli
