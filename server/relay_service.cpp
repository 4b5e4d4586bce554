// relay_service.cpp - placeholder until the relay issue lands: starts nothing.
#include "relay_service.h"


namespace mail {


RelayService::RelayService(ServerContext& context, RelayQueue&, MaildirStore&): _context(context) {}
RelayService::~RelayService() = default;
void RelayService::start() {}
void RelayService::stop() {}


} // namespace mail
