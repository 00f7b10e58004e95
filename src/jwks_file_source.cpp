#include "eudiplo_sse/jwks_file_source.hpp"

#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>

namespace eudiplo_sse {
namespace {

// What tick() compares between calls; a failed stat() is a signature of its own,
// so a vanished file is noticed once.
struct FileSignature {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;

  bool operator==(const FileSignature& o) const {
    return exists == o.exists && device == o.device && inode == o.inode && size == o.size &&
           mtime_ns == o.mtime_ns;
  }
  bool operator!=(const FileSignature& o) const { return !(*this == o); }
};

FileSignature signature_of(const std::string& path) {
  FileSignature s;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return s;
  s.exists = true;
  s.device = st.st_dev;
  s.inode = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return s;
}

}  // namespace

struct JwksFileSource::State {
  State(JwtVerifier& v, JwksFileSourceOptions o) : verifier(v), options(std::move(o)) {
    if (!options.clock) options.clock = system_now;
  }

  void say(const std::string& line) const {
    if (options.log) options.log(line);
  }
  std::error_code load_locked();

  JwtVerifier& verifier;
  JwksFileSourceOptions options;
  mutable std::mutex mutex;
  FileSignature seen;            // at the last read
  std::size_t content_hash = 0;  // of the last good content
  bool loaded = false;
  KeySourceStats stats;
};

std::error_code JwksFileSource::State::load_locked() {
  const TimePoint now = options.clock();
  ++stats.attempts;
  seen = signature_of(options.path);
  std::error_code ec;
  std::string text;
  std::ifstream in(options.path, std::ios::binary);
  if (!in || !seen.exists || static_cast<std::size_t>(seen.size) > options.max_size) {
    ec = make_error_code(error::key_source_failed);
  } else {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    if (in.bad() || text.size() > options.max_size) ec = make_error_code(error::key_source_failed);
  }
  const std::size_t hash = std::hash<std::string>{}(text);
  if (!ec && !(loaded && hash == content_hash)) ec = verifier.replace_jwks(text);
  if (ec) {
    ++stats.failures;
    stats.last_error = ec;
    say("JWKS file " + options.path + ": " + ec.message() + "; keeping the last good key set (" +
        std::to_string(verifier.key_count()) + " keys)");
    return ec;
  }
  loaded = true;
  content_hash = hash;
  ++stats.refreshes;
  stats.last_success = now;
  stats.last_error.clear();
  say("JWKS file " + options.path + ": " + std::to_string(verifier.key_count()) +
      " keys (key set generation " + std::to_string(verifier.key_generation()) + ")");
  return {};
}

JwksFileSource::JwksFileSource(JwtVerifier& verifier, JwksFileSourceOptions options)
    : state_(std::make_unique<State>(verifier, std::move(options))) {}

JwksFileSource::~JwksFileSource() = default;

std::error_code JwksFileSource::load() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->load_locked();
}

void JwksFileSource::tick() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (signature_of(state_->options.path) == state_->seen) return;
  state_->load_locked();
}

void JwksFileSource::refresh() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->load_locked();
}

KeySourceStats JwksFileSource::stats() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->stats;
}

}  // namespace eudiplo_sse
