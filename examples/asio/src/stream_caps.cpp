#include "eudiplo_sse/asio/stream_caps.hpp"

#include <openssl/sha.h>

#include <utility>

namespace eudiplo_sse::http {
namespace {

// Forwards everything to the adapter's writer; the slot goes back when the
// route drops it (the stream has ended).
class CappedWriter final : public SseWriter {
 public:
  CappedWriter(StreamCaps::Slot slot, std::shared_ptr<SseWriter> inner)
      : slot_(std::move(slot)), inner_(std::move(inner)) {}

  WriteResult write(SharedBytes bytes) override { return inner_->write(std::move(bytes)); }
  void close() override { inner_->close(); }
  void on_writable(std::function<void()> callback) override {
    inner_->on_writable(std::move(callback));
  }
  void on_closed(std::function<void()> callback) override {
    inner_->on_closed(std::move(callback));
  }
  void listen(std::weak_ptr<SseWriterListener> listener) override {
    inner_->listen(std::move(listener));
  }

 private:
  StreamCaps::Slot slot_;
  std::shared_ptr<SseWriter> inner_;
};

// A digest, so the map never holds a usable token.
std::string token_key(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool full(const std::unordered_map<std::string, std::size_t>& counts, const std::string& key,
          std::size_t cap) {
  const auto it = counts.find(key);
  return it != counts.end() && it->second >= cap;
}

}  // namespace

StreamCaps::Slot::~Slot() {
  if (caps_) caps_->release(token_);
}

void StreamCaps::Slot::swap(Slot& other) noexcept {
  std::swap(caps_, other.caps_);
  std::swap(token_, other.token_);
}

StreamCaps::Slot StreamCaps::take(std::string_view token) {
  Slot slot;
  if (!capped()) return slot;
  std::string key = token_key(token);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (full(tokens_, key, options_.per_token)) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return slot;
    }
    slot.token_ = count_locked(tokens_, std::move(key));
    slot.caps_ = this;
  }
  open_.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

std::shared_ptr<SseWriter> StreamCaps::hold(Slot slot, std::shared_ptr<SseWriter> writer) {
  if (!writer) return writer;
  return std::make_shared<CappedWriter>(std::move(slot), std::move(writer));
}

// Elements of an unordered_map keep their address across rehashing, so a Slot may
// point at its entry for as long as the count is above zero.
StreamCaps::Entry* StreamCaps::count_locked(Counts& counts, std::string key) {
  Entry& entry = *counts.try_emplace(std::move(key), 0).first;
  ++entry.second;
  return &entry;
}

void StreamCaps::uncount_locked(Counts& counts, Entry* entry) noexcept {
  if (!entry || --entry->second > 0) return;
  counts.erase(counts.find(entry->first));
}

void StreamCaps::release(Entry* token) noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    uncount_locked(tokens_, token);
  }
  open_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace eudiplo_sse::http
