#include "cli/strict_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <set>
#include <vector>

namespace cuplane::cli {
namespace {

namespace json = boost::json;

// SAX events of a first pass that only looks for repeated keys, keeping the path of the value
// being read so the message can name it.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  std::string duplicate_path;  // set when a repeated key stopped the parse

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    frames_.push_back(Frame{false, 0, {}, {}, Path()});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    frames_.pop_back();
    return ValueDone();
  }
  bool on_array_begin(json::error_code&) {
    frames_.push_back(Frame{true, 0, {}, {}, Path()});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    frames_.pop_back();
    return ValueDone();
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    Frame& frame = frames_.back();
    frame.key = std::move(key_);
    key_.clear();
    if (!frame.keys.insert(frame.key).second) {
      duplicate_path = Path();
      ec = json::error::syntax;  // any error stops the parse; the path says what it was
      return false;
    }
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return ValueDone(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return ValueDone(); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return ValueDone(); }
  bool on_double(double, json::string_view, json::error_code&) { return ValueDone(); }
  bool on_bool(bool, json::error_code&) { return ValueDone(); }
  bool on_null(json::error_code&) { return ValueDone(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool is_array;
    std::size_t next_index;  // of the array element read next
    std::string key;         // of the object member being read
    std::set<std::string> keys;
    std::string path;  // of the container itself
  };

  // A value has been read: in an array, the next one has the next index.
  bool ValueDone() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().next_index;
    return true;
  }
  // The path of the value being read: "accounts[1].users[0].name".
  std::string Path() const {
    if (frames_.empty()) return "";
    const Frame& frame = frames_.back();
    if (frame.is_array) return frame.path + "[" + std::to_string(frame.next_index) + "]";
    return frame.path.empty() ? PrintableKey(frame.key) : frame.path + "." + PrintableKey(frame.key);
  }

  std::vector<Frame> frames_;
  std::string key_;
};

// Where byte `offset` of `text` is, as people count: lines and columns from 1.
std::string Position(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::string PrintableKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < key.size() && i < 64; ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (key.size() > 64) out += "...";
  return out;
}

Result<json::value> ParseStrictJson(std::string_view text, std::size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  options.allow_invalid_utf8 = true;
  json::basic_parser<DuplicateKeyFinder> finder(options);
  json::error_code ec;
  std::size_t used = finder.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (!finder.handler().duplicate_path.empty()) {
      return InvalidParameter(finder.handler().duplicate_path + " appears twice in one object");
    }
    return InvalidParameter("the file is not valid JSON at " + Position(text, used) + ": " +
                            ec.message());
  }
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return InvalidParameter("the file is not valid JSON: " + ec.message());
  return value;
}

}  // namespace cuplane::cli
