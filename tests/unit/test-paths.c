/*
 * test-paths.c: unit tests for proto/paths.c: the environment variables
 * that pick the socket and data directory, their order, and truncation.
 * Each test runs in its own forked child, so changing the environment
 * here touches no other test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "paths.h"
#include "proto.h"

TEST(socket_order)
{
	char	buf[256], want[64];

	setenv("ATTUNE_SOCKET", "/x/y.sock", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	ASSERT_EQ_INT(paths_socket(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, "/x/y.sock");

	setenv("ATTUNE_SOCKET", "", 1);
	ASSERT_EQ_INT(paths_socket(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, "/run/user/1000/attune/attuned.sock");

	unsetenv("ATTUNE_SOCKET");
	setenv("XDG_RUNTIME_DIR", "relative", 1);
	snprintf(want, sizeof(want), "/tmp/attune-%u/attuned.sock",
	    (unsigned)getuid());
	ASSERT_EQ_INT(paths_socket(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, want);
	unsetenv("XDG_RUNTIME_DIR");
	ASSERT_EQ_INT(paths_socket(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, want);
}

TEST(data_dir_order)
{
	char	buf[256];

	setenv("XDG_DATA_HOME", "/d", 1);
	setenv("HOME", "/home/m", 1);
	ASSERT_EQ_INT(paths_data_dir(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, "/d/attune");
	setenv("XDG_DATA_HOME", "", 1);
	ASSERT_EQ_INT(paths_data_dir(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, "/home/m/.local/share/attune");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "not/absolute", 1);
	ASSERT_EQ_INT(paths_data_dir(buf, sizeof(buf)), -PROTO_E_NOTFOUND);
	unsetenv("HOME");
	ASSERT_EQ_INT(paths_data_dir(buf, sizeof(buf)), -PROTO_E_NOTFOUND);
}

TEST(too_small_buffer)
{
	char	buf[16];

	setenv("ATTUNE_SOCKET", "/0123456789abcd", 1);	/* 15 chars */
	ASSERT_EQ_INT(paths_socket(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, "/0123456789abcd");
	setenv("ATTUNE_SOCKET", "/0123456789abcde", 1);	/* 16 chars */
	ASSERT_EQ_INT(paths_socket(buf, sizeof(buf)), -PROTO_E_TOOBIG);
	setenv("XDG_DATA_HOME", "/01234567", 1);	/* 16 with /attune */
	ASSERT_EQ_INT(paths_data_dir(buf, sizeof(buf)), -PROTO_E_TOOBIG);
	setenv("XDG_DATA_HOME", "/0123456", 1);
	ASSERT_EQ_INT(paths_data_dir(buf, sizeof(buf)), 0);
	ASSERT_EQ_STR(buf, "/0123456/attune");
}
