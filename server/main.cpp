// main.cpp - mail-server entry point.
#include "app_main.h"
#include "mail_server_app.h"


int main(int argc, char** argv)
{
	mail::MailServerApp app;
	return mail::runApplication(app, argc, argv);
}
