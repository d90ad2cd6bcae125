m4_dnl prelude.m4 — first in every m4 run (codegen/m4.c puts it there).
m4_dnl Quotes become « », which never occur in generated C, and # comments
m4_dnl are turned off so C preprocessor lines pass through untouched.
m4_changequote(«,»)m4_changecom()m4_dnl
