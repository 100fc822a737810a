#include "api/json_fields.h"

#include <cmath>

#include "common/utf8.h"

namespace cuplane::api {
namespace {

constexpr std::size_t kMaxJsonDepth = 32;

// An integer from any JSON number that holds one exactly (5, 5.0, 5e0); nullopt otherwise.
std::optional<std::int64_t> ExactInteger(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.007199254740992e15) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

Result<boost::json::object> ParseBodyObject(std::string_view body, boost::json::storage_ptr sp) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return boost::json::object(std::move(sp));
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  // Invalid UTF-8 is refused where a field is read, as InvalidParameter naming the field,
  // rather than as an unreadable body.
  options.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, std::move(sp), options);
  if (ec) return MakeError(ErrorCode::kMalformedJSON, "the body is not valid JSON");
  if (!value.is_object()) {
    return MakeError(ErrorCode::kMalformedJSON, "the body must be a JSON object");
  }
  return std::move(value.as_object());
}

std::string JsonFields::Name(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const boost::json::value* JsonFields::Find(std::string_view key) const {
  const boost::json::value* v = object_.if_contains(key);
  if (!v || v->is_null()) return nullptr;
  return v;
}

Result<std::optional<std::string>> JsonFields::OptionalString(std::string_view key,
                                                              size_t max_length) const {
  const boost::json::value* v = Find(key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return InvalidParameter(Name(key) + " must be a string");
  const boost::json::string& s = v->get_string();
  if (!IsValidUtf8(s)) return InvalidParameter(Name(key) + " must be valid UTF-8");
  if (s.size() > max_length) {
    return InvalidParameter(Name(key) + " must be at most " + std::to_string(max_length) +
                            " bytes");
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::string> JsonFields::RequiredString(std::string_view key, size_t max_length) const {
  CUPLANE_ASSIGN_OR_RETURN(auto value, OptionalString(key, max_length));
  if (!value || value->empty()) return InvalidParameter(Name(key) + " is required");
  return *value;
}

Result<std::optional<std::int64_t>> JsonFields::OptionalInt(std::string_view key, std::int64_t min,
                                                            std::int64_t max) const {
  const boost::json::value* v = Find(key);
  if (!v) return std::optional<std::int64_t>();
  auto integer = ExactInteger(*v);
  std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (!integer) return InvalidParameter(Name(key) + " must be an integer" + range);
  if (*integer < min || *integer > max) return InvalidParameter(Name(key) + " must be" + range);
  return std::optional<std::int64_t>(*integer);
}

Result<std::int64_t> JsonFields::RequiredInt(std::string_view key, std::int64_t min,
                                             std::int64_t max) const {
  CUPLANE_ASSIGN_OR_RETURN(auto value, OptionalInt(key, min, max));
  if (!value) return InvalidParameter(Name(key) + " is required");
  return *value;
}

Result<std::optional<bool>> JsonFields::OptionalBool(std::string_view key) const {
  const boost::json::value* v = Find(key);
  if (!v) return std::optional<bool>();
  if (!v->is_bool()) return InvalidParameter(Name(key) + " must be true or false");
  return std::optional<bool>(v->get_bool());
}

Result<std::vector<std::string>> JsonFields::OptionalStringArray(std::string_view key,
                                                                 size_t max_items,
                                                                 size_t max_length) const {
  std::vector<std::string> items;
  const boost::json::value* v = Find(key);
  if (!v) return items;
  if (!v->is_array() || v->get_array().size() > max_items) {
    return InvalidParameter(Name(key) + " must be an array of at most " +
                            std::to_string(max_items) + " strings");
  }
  const boost::json::array& array = v->get_array();
  for (size_t i = 0; i < array.size(); ++i) {
    std::string name = Name(key) + "[" + std::to_string(i) + "]";
    if (!array[i].is_string()) return InvalidParameter(name + " must be a string");
    if (!IsValidUtf8(array[i].get_string())) return InvalidParameter(name + " must be valid UTF-8");
    if (array[i].get_string().size() > max_length) return InvalidParameter(name + " is too long");
    items.emplace_back(array[i].get_string());
  }
  return items;
}

Result<std::optional<JsonFields>> JsonFields::OptionalObject(std::string_view key) const {
  const boost::json::value* v = Find(key);
  if (!v) return std::optional<JsonFields>();
  if (!v->is_object()) return InvalidParameter(Name(key) + " must be an object");
  return std::optional<JsonFields>(JsonFields(v->get_object(), Name(key)));
}

Result<JsonFields> JsonFields::RequiredObject(std::string_view key) const {
  CUPLANE_ASSIGN_OR_RETURN(auto value, OptionalObject(key));
  if (!value) return InvalidParameter(Name(key) + " is required");
  return *value;
}

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8)
    count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;  // not a continuation
  return count;
}

}  // namespace cuplane::api
