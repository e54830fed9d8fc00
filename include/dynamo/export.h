// DYNAMO_EMU_API marks what the shared library libdynamo-emu exports (its
// other symbols are hidden).
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define DYNAMO_EMU_API __attribute__((visibility("default")))
#else
#define DYNAMO_EMU_API
#endif
