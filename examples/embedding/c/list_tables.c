/* A C program that embeds dynamo-emu through its C interface, built with
 * pkg-config:
 *   cc list_tables.c $(pkg-config --cflags --libs dynamo-emu) -o list_tables
 */
#include <dynamo/dynamo_emu.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  dynamo_emu* emu = dynamo_emu_start("{\"port\": 0}");
  if (!emu) {
    fprintf(stderr, "cannot start: %s\n", dynamo_emu_last_error());
    return 1;
  }
  printf("dynamo-emu %s at %s\n", dynamo_emu_version(), dynamo_emu_endpoint(emu));
  char* body = NULL;
  size_t length = 0;
  int status = dynamo_emu_dispatch(emu, "ListTables", "{}", 2, NULL, NULL, &body, &length);
  printf("ListTables: %d %.*s\n", status, (int)length, body);
  int ok = status == 200 && strcmp(body, "{\"TableNames\":[]}") == 0;
  dynamo_emu_free(body);
  dynamo_emu_stop(emu);
  return ok ? 0 : 1;
}
