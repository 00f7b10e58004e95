#include "eudiplo_sse/jwt_algorithm.hpp"

#include <array>
#include <utility>

namespace eudiplo_sse {
namespace {

constexpr std::array<std::pair<JwtAlgorithm, std::string_view>, 13> kNames{{
    {JwtAlgorithm::HS256, "HS256"},
    {JwtAlgorithm::HS384, "HS384"},
    {JwtAlgorithm::HS512, "HS512"},
    {JwtAlgorithm::RS256, "RS256"},
    {JwtAlgorithm::RS384, "RS384"},
    {JwtAlgorithm::RS512, "RS512"},
    {JwtAlgorithm::PS256, "PS256"},
    {JwtAlgorithm::PS384, "PS384"},
    {JwtAlgorithm::PS512, "PS512"},
    {JwtAlgorithm::ES256, "ES256"},
    {JwtAlgorithm::ES384, "ES384"},
    {JwtAlgorithm::ES512, "ES512"},
    {JwtAlgorithm::EdDSA, "EdDSA"},
}};

}  // namespace

std::string_view to_string(JwtAlgorithm alg) noexcept {
  for (const auto& [value, name] : kNames) {
    if (value == alg) return name;
  }
  return {};
}

std::optional<JwtAlgorithm> jwt_algorithm_from_string(std::string_view name) noexcept {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace eudiplo_sse
