#ifndef SLIPSD_CPRIVILEGES_H
#define SLIPSD_CPRIVILEGES_H
/* Placeholder: filled by the privilege-drop work (prctl, setres[ug]id, capset wrappers). */
int cpriv_placeholder(void);
#endif
