// Parsing a JSON file an operator wrote, strictly: a syntax error says where (line and column),
// and a key repeated in one object is an error naming its path ("accounts[1].balance"), where
// a plain parser would silently keep one of the two values.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "common/error.h"

namespace cuplane::cli {

// InvalidParameter on a syntax error, a repeated key, or nesting deeper than `max_depth`.
// Strings are not checked for valid UTF-8 here: the field that reads one says it is not.
Result<boost::json::value> ParseStrictJson(std::string_view text, std::size_t max_depth);

// `key` as it may appear in a message: printable ASCII kept, every other byte as \xNN, at most
// 64 bytes shown.
std::string PrintableKey(std::string_view key);

}  // namespace cuplane::cli
