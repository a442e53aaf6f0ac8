/*
 * mapiguid.h: the interface identifiers of the interfaces in spoolcheck's minimal MAPI header set
 * (see mapidefs.h). They are OLE GUIDs {l, 0, 0, C0 00 00 00 00 00 00 46}.
 *
 * Define INITGUID before including this header in exactly one translation unit of a program,
 * which then holds the definitions; everywhere else they are declarations.
 */
#ifndef SPOOLCHECK_MAPIGUID_H
#define SPOOLCHECK_MAPIGUID_H

#include "mapidefs.h"

#ifdef INITGUID
#define DEFINE_OLEGUID(name, l, w1, w2)                                                            \
    extern const IID name;                                                                         \
    const IID name = {l, w1, w2, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}}
#else
#define DEFINE_OLEGUID(name, l, w1, w2) extern const IID name
#endif

DEFINE_OLEGUID(IID_IUnknown, 0x00000000, 0, 0);
DEFINE_OLEGUID(IID_IMalloc, 0x00000002, 0, 0);
DEFINE_OLEGUID(IID_IMAPISession, 0x00020300, 0, 0);
DEFINE_OLEGUID(IID_IMAPITable, 0x00020301, 0, 0);
DEFINE_OLEGUID(IID_IMAPIAdviseSink, 0x00020302, 0, 0);
DEFINE_OLEGUID(IID_IMAPIProp, 0x00020303, 0, 0);
DEFINE_OLEGUID(IID_IProfSect, 0x00020304, 0, 0);
DEFINE_OLEGUID(IID_IMAPIStatus, 0x00020305, 0, 0);
DEFINE_OLEGUID(IID_IMsgStore, 0x00020306, 0, 0);
DEFINE_OLEGUID(IID_IMessage, 0x00020307, 0, 0);
DEFINE_OLEGUID(IID_IAttachment, 0x00020308, 0, 0);
DEFINE_OLEGUID(IID_IAddrBook, 0x00020309, 0, 0);
DEFINE_OLEGUID(IID_IMailUser, 0x0002030A, 0, 0);
DEFINE_OLEGUID(IID_IMAPIContainer, 0x0002030B, 0, 0);
DEFINE_OLEGUID(IID_IMAPIFolder, 0x0002030C, 0, 0);
DEFINE_OLEGUID(IID_IABContainer, 0x0002030D, 0, 0);
DEFINE_OLEGUID(IID_IDistList, 0x0002030E, 0, 0);
DEFINE_OLEGUID(IID_IMAPISup, 0x0002030F, 0, 0);
DEFINE_OLEGUID(IID_IMSProvider, 0x00020310, 0, 0);
DEFINE_OLEGUID(IID_IABProvider, 0x00020311, 0, 0);
DEFINE_OLEGUID(IID_IXPProvider, 0x00020312, 0, 0);
DEFINE_OLEGUID(IID_IMSLogon, 0x00020313, 0, 0);
DEFINE_OLEGUID(IID_IABLogon, 0x00020314, 0, 0);
DEFINE_OLEGUID(IID_IXPLogon, 0x00020315, 0, 0);

#endif /* SPOOLCHECK_MAPIGUID_H */
