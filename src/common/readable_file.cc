#include "common/readable_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace cuplane {
namespace {

Error CannotRead(std::string_view label, const std::string& file) {
  return InvalidParameter("cannot read " + std::string(label) + " " + file + ": " +
                          std::strerror(errno));
}

}  // namespace

Status CheckReadableFile(std::string_view label, const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return CannotRead(label, file);
  if (!S_ISREG(st.st_mode)) {
    return InvalidParameter(std::string(label) + " " + file + " is not a file");
  }
  std::ifstream in(file);
  if (!in) return CannotRead(label, file);
  return OkStatus();
}

}  // namespace cuplane
