// mail_server_app.h - the mail-server process: one provider's SMTP, POP3 and relay.
#pragma once

#include "common/config/config.h"

#include <Poco/Util/ServerApplication.h>

#include <string>


namespace mail {


class MailServerApp: public Poco::Util::ServerApplication
/// `mail-server -n NAME [--conf FILE] [--data DIR]` (SPEC.md). Loads and checks the
/// whole configuration before it binds anything, so it never starts half-configured.
{
protected:
	void defineOptions(Poco::Util::OptionSet& options) override;
	int main(const std::vector<std::string>& args) override;

private:
	void handleHelp(const std::string& name, const std::string& value);
	void handleOption(const std::string& name, const std::string& value) override;
	void displayHelp();
	int listServers();                                      ///< --list-servers: the topology for scripts/start.sh
	bool readConfig(Config& config) const;                  ///< false (reported on stderr) on a ConfigError
	int check();                                            ///< --check: validate the config, 0 or 78 (as `postfix check`)
	int queueCommand(const std::vector<std::string>& args); ///< `queue ...` through the control socket
	int faultCommand(const std::vector<std::string>& args); ///< `fault add|list|clear` through the control socket
	std::string dataDir() const;                            ///< DATA/NAME, absolute

	bool _helpRequested = false;
	bool _listServers = false;
	bool _check = false;
	bool _json = false; ///< queue --json
	bool _all = false;  ///< queue retry --all
	std::string _name;
	std::string _confPath = "conf/mail.yaml";
	std::string _dataDir = "var";
};


} // namespace mail
