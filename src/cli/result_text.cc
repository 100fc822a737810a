#include "cli/result_text.h"

namespace cuplane::cli {

namespace json = boost::json;

const json::value& Field(const json::value& object, std::string_view key) {
  static const json::value kNull;
  const json::object* o = object.if_object();
  const json::value* v = o ? o->if_contains(key) : nullptr;
  return v ? *v : kNull;
}

const json::array& ArrayField(const json::value& object, std::string_view key) {
  static const json::array kEmpty;
  const json::array* a = Field(object, key).if_array();
  return a ? *a : kEmpty;
}

std::string Text(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return value.get_string().empty() ? "-" : std::string(value.get_string());
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::bool_:
      return value.get_bool() ? "yes" : "no";
    case json::kind::null:
      return "-";
    default:
      return json::serialize(value);
  }
}

std::string FieldText(const json::value& object, std::string_view key) {
  return Text(Field(object, key));
}

}  // namespace cuplane::cli
