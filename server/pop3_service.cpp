// pop3_service.cpp - placeholder until the pop3 issue lands: starts nothing.
#include "pop3_service.h"


namespace mail {


Pop3Service::Pop3Service(ServerContext& context): _context(context) {}
Pop3Service::~Pop3Service() = default;
void Pop3Service::start() {}
void Pop3Service::stop() {}


} // namespace mail
