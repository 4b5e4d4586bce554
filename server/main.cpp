// main.cpp - placeholder entry point; the program is being built (see issues).
#include <cstdio>
int main() { std::fputs("not built yet\n", stderr); return 70; }
