// main.cpp - mail-dns entry point.
#include "common/base/app_main.h"
#include "dns/dns_app.h"


int main(int argc, char** argv)
{
	mail::dns::DnsApp app;
	return mail::runApplication(app, argc, argv);
}
