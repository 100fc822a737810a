#include "common/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/digest.h"

namespace cuplane {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr std::string_view kPrefix = "v1:";

bool FromHex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<unsigned char>(hi << 4 | lo));
  }
  return true;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext NewContext() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return ctx;
}

}  // namespace

Result<SecretBox> SecretBox::Ephemeral() {
  std::array<unsigned char, kKeyBytes> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return MakeError(ErrorCode::kInternalError, "no randomness for a sealing key");
  }
  return SecretBox(key);
}

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& path, bool* created) {
  if (created) *created = false;
  auto refuse = [&](const std::string& why) {
    return MakeError(ErrorCode::kInternalError, "key file " + path + ": " + why);
  };
  std::array<unsigned char, kKeyBytes> key{};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) return refuse("no randomness");
    // O_EXCL: two servers creating the file at once cannot overwrite each other's key.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
      if (errno != EEXIST) return refuse("cannot create");
      return LoadOrCreate(path, created);
    }
    std::string hex = LowerHex(key.data(), key.size()) + "\n";
    bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
    written = ::fsync(fd) == 0 && written;
    ::close(fd);
    if (!written) return refuse("cannot write");
    if (created) *created = true;
    return SecretBox(key);
  }
  if ((st.st_mode & 077) != 0) return refuse("must not be readable by group or others (chmod 600)");
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  std::vector<unsigned char> bytes;
  if (!FromHex(hex, bytes) || bytes.size() != kKeyBytes) {
    return refuse("must hold 64 hexadecimal characters");
  }
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return SecretBox(key);
}

std::string SecretBox::CheckValue() const {
  // A label no sealed value is ever computed over, so the check value is useless to anyone
  // trying to open or forge a secret.
  static constexpr std::string_view kLabel = "cuplane secret-sealing key check v1";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size(), mac,
           &mac_size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(kPrefix) + LowerHex(mac, mac_size);
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("RAND_bytes failed");
  std::vector<unsigned char> out(kNonceBytes + plaintext.size() + kTagBytes);
  std::copy(nonce, nonce + kNonceBytes, out.begin());
  auto ctx = NewContext();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonceBytes, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out.data() + kNonceBytes + plaintext.size()) != 1) {
    throw std::runtime_error("AES-GCM encryption failed");
  }
  return std::string(kPrefix) + LowerHex(out.data(), out.size());
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  auto fail = [] {
    return MakeError(ErrorCode::kInternalError, "a stored secret cannot be decrypted");
  };
  std::vector<unsigned char> bytes;
  if (sealed.substr(0, kPrefix.size()) != kPrefix ||
      !FromHex(sealed.substr(kPrefix.size()), bytes) || bytes.size() < kNonceBytes + kTagBytes) {
    return fail();
  }
  size_t text_size = bytes.size() - kNonceBytes - kTagBytes;
  std::string plaintext(text_size, '\0');
  auto ctx = NewContext();
  int len = 0;
  unsigned char* tag = bytes.data() + kNonceBytes + text_size;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &len,
                        bytes.data() + kNonceBytes, static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + len,
                          &len) != 1) {
    return fail();
  }
  return plaintext;
}

}  // namespace cuplane
