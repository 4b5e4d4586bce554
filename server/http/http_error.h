// http_error.h - an error a route answers with: an HTTP status and a message for the JSON body.
#pragma once

#include <stdexcept>
#include <string>


namespace mail {


struct HttpError: std::runtime_error
/// Thrown by routes and the router; the service turns it into
/// `{"error": {"status": N, "message": "..."}}` (docs/api.md) with that status.
{
	HttpError(int status, const std::string& message):
		std::runtime_error(message), status(status) {}

	int status;
};


} // namespace mail
