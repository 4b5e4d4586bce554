// control_client.h - `mail-server -n NAME queue ...`: one request to the running server.
#pragma once

#include <ostream>
#include <string>


namespace mail {


int sendControlRequest(const std::string& socketPath, const std::string& request, std::ostream& out, std::ostream& err);
///< Sends the request line to the control socket (control_service.h) and copies the
///  output to out. Returns 0 on `ok`, 1 on `error MESSAGE` (printed to err), 69 when no
///  server listens there (it is not running).


} // namespace mail
