// relay_tls.h - the relay's STARTTLS policy (relay.tls) and its client TLS context.
#pragma once

#include "common/config/config.h"

#include <Poco/Net/Context.h>


namespace mail {


struct RelayTlsPolicy
/// What the relay's SMTP client does with STARTTLS; shared by every connection.
{
	RelayTls mode = RelayTls::None;
	Poco::Net::Context::Ptr context; ///< null when mode is None
};


RelayTlsPolicy makeRelayTlsPolicy(RelayTls mode, const std::string& caFile);
/// A TLS 1.2+ client context: for Verify it checks the peer's chain against the
/// system CA store plus caFile (when not empty) and, in SmtpConnection, the exchanger's
/// name; for Opportunistic it checks nothing (RFC 7435: any encryption beats none).


} // namespace mail
