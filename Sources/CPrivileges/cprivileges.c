#include "cprivileges.h"
int cpriv_placeholder(void) { return 0; }
