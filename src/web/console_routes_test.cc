#include "web/console_routes.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "web/embedded_assets.h"
#include "web/web_router.h"

namespace cuplane::web {
namespace {

api::ApiRequest Get(std::string target, std::string method = "GET") {
  api::ApiRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

std::string Header(const api::ApiResponse& response, std::string_view name) {
  for (const auto& [k, v] : response.headers) {
    if (k == name) return v;
  }
  return "";
}

WebRouter ConsoleRouter() {
  WebRouter router;
  AddConsoleRoutes(router);
  return router;
}

std::set<std::string> AssetNames() {
  std::set<std::string> names;
  for (const EmbeddedAsset& a : EmbeddedAssets()) names.insert(std::string(a.path));
  return names;
}

std::string Asset(std::string_view path) {
  for (const EmbeddedAsset& a : EmbeddedAssets()) {
    if (a.path == path) return std::string(a.bytes);
  }
  return "";
}

TEST(ConsoleRoutesTest, IndexIsServedWithAStrictPolicy) {
  auto response = ConsoleRouter().Handle(Get("/console/"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(Header(*response, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(response->body, Asset("index.html"));
  std::string csp = Header(*response, "Content-Security-Policy");
  EXPECT_EQ(csp, kConsoleContentSecurityPolicy);
  for (const char* directive : {"default-src 'none'", "script-src 'self'", "style-src 'self'",
                                "connect-src 'self'", "frame-ancestors 'none'"}) {
    EXPECT_NE(csp.find(directive), std::string::npos) << directive;
  }
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(Header(*response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(*response, "Referrer-Policy"), "no-referrer");
}

TEST(ConsoleRoutesTest, AssetsHaveTheirTypes) {
  WebRouter router = ConsoleRouter();
  EXPECT_EQ(Header(*router.Handle(Get("/console/js/app.js")), "Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(*router.Handle(Get("/console/console.css")), "Content-Type"),
            "text/css; charset=utf-8");
  EXPECT_EQ(Header(*router.Handle(Get("/console/icon.svg")), "Content-Type"), "image/svg+xml");
  EXPECT_EQ(router.Handle(Get("/console/js/app.js?v=1"))->body, Asset("js/app.js"));
}

TEST(ConsoleRoutesTest, BareConsoleRedirectsToTheSlashForm) {
  auto response = ConsoleRouter().Handle(Get("/console"));
  EXPECT_EQ(response->status, 301);
  EXPECT_EQ(Header(*response, "Location"), "/console/");
}

TEST(ConsoleRoutesTest, UnknownOrTraversingPathsAre404) {
  WebRouter router = ConsoleRouter();
  for (const char* target : {"/console/nope.js", "/console/../secret.key", "/console/%2e%2e/x",
                             "/console/js/", "/console//index.html", "/console/JS/APP.JS"}) {
    auto response = router.Handle(Get(target));
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 404) << target;
    EXPECT_NE(Header(*response, "Content-Security-Policy"), "") << target;
  }
}

TEST(ConsoleRoutesTest, OnlyGetAndHead) {
  WebRouter router = ConsoleRouter();
  auto post = router.Handle(Get("/console/", "POST"));
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(Header(*post, "Allow"), "GET, HEAD");
  auto head = router.Handle(Get("/console/", "HEAD"));
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST(ConsoleRoutesTest, RevalidationAnswers304) {
  WebRouter router = ConsoleRouter();
  auto first = router.Handle(Get("/console/js/app.js"));
  std::string etag = Header(*first, "ETag");
  ASSERT_FALSE(etag.empty());
  api::ApiRequest again = Get("/console/js/app.js");
  again.headers.emplace_back("If-None-Match", etag);
  auto second = router.Handle(again);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  EXPECT_NE(Header(*router.Handle(Get("/console/console.css")), "ETag"), etag);
}

TEST(WebRouterTest, ApiPathsAreNotOwned) {
  WebRouter router = ConsoleRouter();
  for (const char* target : {"/v2/computeunit?Action=DescribeComputeUnit", "/v1/operator", "/",
                             "/consolex", "/v2/console/"}) {
    EXPECT_FALSE(router.Handle(Get(target, "POST"))) << target;
  }
}

// Everything the page references is built in, and nothing is inline or from elsewhere (the
// policy would refuse it in the browser; this says which file is wrong).
TEST(ConsoleAssetsTest, EveryReferenceResolvesToAnEmbeddedFile) {
  std::set<std::string> names = AssetNames();
  std::string index = Asset("index.html");
  std::regex attribute(R"re((?:src|href)="([^"]*)")re");
  int references = 0;
  for (std::sregex_iterator it(index.begin(), index.end(), attribute), end; it != end; ++it) {
    std::string target = (*it)[1];
    EXPECT_TRUE(names.count(target)) << "index.html references " << target;
    ++references;
  }
  EXPECT_GE(references, 3);
  std::regex import(R"re(from '\./([^']+)')re");
  for (const std::string& name : names) {
    if (!name.ends_with(".js")) continue;
    std::string source = Asset(name);
    for (std::sregex_iterator it(source.begin(), source.end(), import), end; it != end; ++it) {
      EXPECT_TRUE(names.count("js/" + std::string((*it)[1]))) << name << " imports " << (*it)[1];
    }
  }
}

TEST(ConsoleAssetsTest, NoInlineScriptOrStyleAndNoOtherHost) {
  std::string index = Asset("index.html");
  EXPECT_FALSE(std::regex_search(index, std::regex(R"(<script(?![^>]*\bsrc=))")));
  EXPECT_FALSE(std::regex_search(index, std::regex(R"(\son[a-z]+\s*=)")));
  EXPECT_FALSE(std::regex_search(index, std::regex(R"(\sstyle\s*=)")));
  EXPECT_EQ(index.find("<style"), std::string::npos);
  EXPECT_FALSE(std::regex_search(index, std::regex(R"((src|href)="(https?:)?//)")));
  std::string css = Asset("console.css");
  EXPECT_FALSE(std::regex_search(css, std::regex(R"(url\(|@import)"))) << "the CSS loads nothing";
}

}  // namespace
}  // namespace cuplane::web
