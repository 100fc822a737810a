// Reading request bodies: typed, bounded access to the fields of a JSON object, where every
// refusal is an InvalidParameter error that names the field (with its path, e.g.
// "billing.reservation.reservationLength"). A JSON null counts as absent (SPEC §1).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace cuplane::api {

// The longest id a request may name (serviceId, instanceId, accountId, user names, keys).
inline constexpr size_t kMaxIdentifierLength = 128;

// Parses a request body: a JSON object, nesting bounded. An empty body reads as {}.
// MalformedJSON when it is not a JSON object.
// Its values are kept in `sp` (default: the heap).
Result<boost::json::object> ParseBodyObject(std::string_view body, boost::json::storage_ptr sp = {});

class JsonFields {
 public:
  // `path` prefixes field names in messages ("" at the top level).
  JsonFields(const boost::json::object& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  Result<std::string> RequiredString(std::string_view key, size_t max_length) const;
  Result<std::optional<std::string>> OptionalString(std::string_view key, size_t max_length) const;
  Result<std::int64_t> RequiredInt(std::string_view key, std::int64_t min, std::int64_t max) const;
  Result<std::optional<std::int64_t>> OptionalInt(std::string_view key, std::int64_t min,
                                                  std::int64_t max) const;
  Result<std::optional<bool>> OptionalBool(std::string_view key) const;
  // An array of strings; absent or null reads as empty.
  Result<std::vector<std::string>> OptionalStringArray(std::string_view key, size_t max_items,
                                                       size_t max_length) const;
  Result<JsonFields> RequiredObject(std::string_view key) const;
  Result<std::optional<JsonFields>> OptionalObject(std::string_view key) const;

  // "billing.reservation" style name of a field of this object.
  std::string Name(std::string_view key) const;
  // The object itself, for fields with shapes of their own (arrays).
  const boost::json::object& object() const { return object_; }

 private:
  // The value of `key`, or nullptr when absent or null.
  const boost::json::value* Find(std::string_view key) const;

  const boost::json::object& object_;
  std::string path_;
};

// The number of code points in valid UTF-8 (SPEC §4: lengths count code points).
std::size_t CountCodePoints(std::string_view utf8);

}  // namespace cuplane::api
