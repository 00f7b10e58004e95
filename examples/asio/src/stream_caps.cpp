#include "eudiplo_sse/asio/stream_caps.hpp"

#include <openssl/sha.h>

namespace eudiplo_sse::http {

class StreamCaps::Slot {
 public:
  Slot(StreamCaps& caps, std::string session_key, std::string token_key)
      : caps_(caps), session_key_(std::move(session_key)), token_key_(std::move(token_key)) {}
  ~Slot() { caps_.release(session_key_, token_key_); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  StreamCaps& caps_;
  const std::string session_key_;
  const std::string token_key_;
};

namespace {

// Forwards everything to the adapter's writer; the slot goes back when the
// route drops it (the stream has ended).
class CappedWriter final : public SseWriter {
 public:
  CappedWriter(std::shared_ptr<StreamCaps::Slot> slot, std::shared_ptr<SseWriter> inner)
      : slot_(std::move(slot)), inner_(std::move(inner)) {}

  WriteResult write(SharedBytes bytes) override { return inner_->write(std::move(bytes)); }
  void close() override { inner_->close(); }
  void on_writable(std::function<void()> callback) override {
    inner_->on_writable(std::move(callback));
  }
  void on_closed(std::function<void()> callback) override {
    inner_->on_closed(std::move(callback));
  }

 private:
  std::shared_ptr<StreamCaps::Slot> slot_;
  std::shared_ptr<SseWriter> inner_;
};

}  // namespace

std::string StreamCaps::token_key(std::string_view token) {
  // A digest, so the map never holds a usable token.
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool StreamCaps::has_room_locked(const std::string& session_key,
                                 const std::string& token_key) const {
  if (options_.per_session) {
    const auto it = sessions_.find(session_key);
    if (it != sessions_.end() && it->second >= options_.per_session) return false;
  }
  if (options_.per_token) {
    const auto it = tokens_.find(token_key);
    if (it != tokens_.end() && it->second >= options_.per_token) return false;
  }
  return true;
}

std::shared_ptr<StreamCaps::Slot> StreamCaps::take(std::string_view session_id,
                                                   std::string_view token) {
  std::string session_key(session_id);
  std::string tkey = token_key(token);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!has_room_locked(session_key, tkey)) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    ++sessions_[session_key];
    ++tokens_[tkey];
  }
  return std::make_shared<Slot>(*this, std::move(session_key), std::move(tkey));
}

std::shared_ptr<SseWriter> StreamCaps::hold(std::shared_ptr<Slot> slot,
                                            std::shared_ptr<SseWriter> writer) {
  if (!writer) return writer;
  return std::make_shared<CappedWriter>(std::move(slot), std::move(writer));
}

void StreamCaps::release(const std::string& session_key, const std::string& token_key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (const auto it = sessions_.find(session_key); it != sessions_.end() && --it->second == 0) {
    sessions_.erase(it);
  }
  if (const auto it = tokens_.find(token_key); it != tokens_.end() && --it->second == 0) {
    tokens_.erase(it);
  }
}

std::size_t StreamCaps::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  for (const auto& entry : sessions_) n += entry.second;
  return n;
}

}  // namespace eudiplo_sse::http
