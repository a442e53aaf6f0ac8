/* guids.cpp: the one translation unit that defines the interface identifiers (mapiguid.h). */
#define INITGUID
#include <mapiguid.h>
