// main.cpp - mail-server entry point.
#include "common/base/app_main.h"
#include "server/app/mail_server_app.h"


int main(int argc, char** argv)
{
	mail::MailServerApp app;
	return mail::runApplication(app, argc, argv);
}
