// The `cuplane` client commands run as a user runs them, against the real server: a fixture
// that runs the binary with the server's endpoint and a key, and helpers to read its output.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "server_test_fixture.h"

namespace cuplane::testing {

// The tests pass everything as flags; the shell running them must not leak its own settings.
const EnvChanges kNoCliEnv = {{"CUPLANE_ENDPOINT", ""},
                              {"CUPLANE_ACCESS_KEY", ""},
                              {"CUPLANE_SECRET_KEY", ""},
                              {"CUPLANE_CA_FILE", ""}};

struct Key {
  std::string access_key;
  std::string secret_key;
};
const Key kOperatorKey{"op-ak", "op-sk"};
const Key kTenantAdmin{"a-admin", "a-admin-sk"};

class CliTest : public ServerTest {
 protected:
  // Where the commands connect, and the flags that say what to trust there.
  virtual std::string Endpoint() const {
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }
  virtual std::vector<std::string> TrustFlags() const { return {}; }

  // Runs `cuplane args...` against the server, signed with `key`.
  CommandResult Cli(std::vector<std::string> args, const Key& key = kOperatorKey) const {
    args.insert(args.end(), {"--endpoint", Endpoint(), "--access-key", key.access_key,
                             "--secret-key", key.secret_key});
    for (const std::string& flag : TrustFlags()) args.push_back(flag);
    return RunCommand(args, kNoCliEnv);
  }

  // Cli(args + --json), requiring success and JSON output.
  boost::json::value CliJson(std::vector<std::string> args, const Key& key = kOperatorKey) const {
    args.push_back("--json");
    CommandResult r = Cli(args, key);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(r.output, ec);
    EXPECT_FALSE(ec) << "not JSON: " << r.output;
    return value;
  }

  // Cli(args) that must succeed; returns its output.
  std::string CliOk(std::vector<std::string> args, const Key& key = kOperatorKey) const {
    CommandResult r = Cli(std::move(args), key);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }

  // Cli(args) that must fail with API error `code`.
  void ExpectApiError(std::vector<std::string> args, const Key& key, const std::string& code) {
    CommandResult r = Cli(std::move(args), key);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_THAT(r.output, ::testing::StartsWith("error: " + code + ": "));
  }

  std::string BuyPostpaid(const std::string& service, int replicas, const Key& key) {
    boost::json::value r = CliJson(
        {"unit", "purchase", service, "--replicas", std::to_string(replicas), "--postpaid"}, key);
    return r.is_object() ? std::string(r.at("instanceId").as_string()) : "";
  }

  boost::json::value DescribeUnit(const std::string& id, const Key& key) {
    return CliJson({"unit", "describe", id}, key).at("computeUnitInstance");
  }

  void WaitRunning(const std::string& id, const Key& key) {
    for (int i = 0; i < 100; ++i) {
      if (DescribeUnit(id, key).at("status") == "Running") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << id << " never became Running";
  }
};

// A JSON string's text ("" for anything else), for comparing with std::string.
inline std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "";
}

// "Label:  value" from human output.
inline std::string FieldOf(const std::string& output, const std::string& label) {
  std::smatch match;
  std::regex pattern(label + ":\\s+(\\S+)");
  return std::regex_search(output, match, pattern) ? match[1].str() : "";
}

// A table row with these cells in order, separated by column padding.
inline std::regex Row(const std::vector<std::string>& cells) {
  std::string pattern = "(^|\\n)";
  for (size_t i = 0; i < cells.size(); ++i) pattern += (i ? "\\s+" : "") + cells[i];
  return std::regex(pattern + "\\s*(\\n|$)");
}

inline bool HasRow(const std::string& output, const std::vector<std::string>& cells) {
  return std::regex_search(output, Row(cells));
}

}  // namespace cuplane::testing
