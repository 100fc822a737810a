#include "cli/operator_key_command.h"

#include <boost/json.hpp>

#include <iostream>

#include "common/clock.h"
#include "core/tenants.h"

namespace cuplane::cli {

int RunOperatorKeyCreate(const StoreLocation& location, bool json) {
  auto store = OpenStore(location);
  if (!store.ok()) {
    std::cerr << "cuplane operator-key create: " << store.error().message << "\n";
    return 1;
  }
  auto box = OpenSecretBox(location, **store);
  if (!box.ok()) {
    std::cerr << "cuplane operator-key create: " << box.error().message << "\n";
    return 1;
  }
  auto key = (*store)->Write<core::NewAccessKey>([&](store::Transaction& tx) {
    return core::CreateOperatorKey(tx, *box, SystemClock().Now());
  });
  if (!key.ok()) {
    std::cerr << "cuplane operator-key create: " << key.error().message << "\n";
    return 1;
  }
  if (json) {
    std::cout << boost::json::serialize(boost::json::object{{"accessKey", key->access_key},
                                                            {"secretKey", key->secret_key}})
              << "\n";
  } else {
    std::cout << "Operator key created; the secret is shown only now.\n"
              << "  export CUPLANE_ACCESS_KEY=" << key->access_key << "\n"
              << "  export CUPLANE_SECRET_KEY=" << key->secret_key << "\n";
  }
  return 0;
}

}  // namespace cuplane::cli
