// smtp_service.cpp - placeholder until the smtp issue lands: starts nothing.
#include "smtp_service.h"


namespace mail {


SmtpService::SmtpService(ServerContext& context, MaildirStore&, RelayQueue&): _context(context) {}
SmtpService::~SmtpService() = default;
void SmtpService::start() {}
void SmtpService::stop() {}


} // namespace mail
