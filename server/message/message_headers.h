// message_headers.h - reading and trimming the header section of a raw CRLF message.
#pragma once

#include <cstddef>
#include <string>


namespace mail {


std::string headerSection(const std::string& message);
/// The header of a message: everything before the first empty line, with its final CRLF.

std::size_t countHeader(const std::string& message, const std::string& name);
/// How many header fields of the given name (case-insensitive) the header holds.

std::string removeHeader(const std::string& message, const std::string& name);
/// The message without any header field of that name (with its folded lines). The
/// relay drops Return-Path: before sending on: only final delivery adds one (RFC 5321 4.4).


} // namespace mail
