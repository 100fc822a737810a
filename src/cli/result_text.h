// Reading fields of an API result for display. A printer must never crash on a result shaped
// differently than expected (an older or newer server), so every accessor here tolerates a
// missing field or a value of another type.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace cuplane::cli {

// Field `key` of `object`; null when `object` is not an object or lacks it.
const boost::json::value& Field(const boost::json::value& object, std::string_view key);

// Array field `key` of `object`; empty when absent or not an array.
const boost::json::array& ArrayField(const boost::json::value& object, std::string_view key);

// A value as a person reads it: strings as they are, integers in decimal, booleans as yes/no,
// and "-" for null or "" so that an empty cell still shows in a table.
std::string Text(const boost::json::value& value);

// Text(Field(object, key)).
std::string FieldText(const boost::json::value& object, std::string_view key);

}  // namespace cuplane::cli
