// base64.h - strict RFC 4648 base64, for SASL exchanges and stored password hashes.
#pragma once

#include <optional>
#include <string>


namespace mail {


std::string encodeBase64(const std::string& data);
/// The standard alphabet with '=' padding (RFC 4648 section 4), no line breaks.

std::optional<std::string> decodeBase64Strict(const std::string& text);
/// The standard alphabet; padding is optional but, when present, must be right. Anything
/// else (spaces, line breaks, a stray '=', a length of 4n+1) is refused with nullopt:
/// SASL (RFC 4954 section 4) and our hash strings never carry them.


} // namespace mail
