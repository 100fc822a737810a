// Checking a file named by an operator (a flag, an environment variable) before handing it to a
// library whose own error would not say which file or why: "cannot read --tls-cert /x: No such
// file or directory", "--ca-file /etc is not a file".
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace cuplane {

// OK when `file` is a regular file this process can open for reading; else InvalidParameter
// naming `label` (how the operator gave it, e.g. "--tls-key") and the file.
Status CheckReadableFile(std::string_view label, const std::string& file);

}  // namespace cuplane
