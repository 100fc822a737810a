// Files built into the binary at build time (cmake/embed_assets.cmake generates the .cc from
// src/web/console/), so a running server needs no asset on disk and serves exactly the
// version it was built with.
#pragma once

#include <span>
#include <string_view>

namespace cuplane::web {

struct EmbeddedAsset {
  std::string_view path;   // relative to src/web/console/, e.g. "index.html", "js/app.js"
  std::string_view bytes;  // the file's content, exactly
};

// Sorted by path.
std::span<const EmbeddedAsset> EmbeddedAssets();

}  // namespace cuplane::web
