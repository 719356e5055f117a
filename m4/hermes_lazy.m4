dnl m4/hermes_lazy.m4: what the lazy loader (src/util/lazy_lib.c) needs to
dnl know at build time about a library it dlopen()s instead of linking.
dnl SPDX-License-Identifier: MIT

dnl HERMES_LAZY_SONAME(PREFIX, LIBNAME, LIBS, INCLUDES, BODY, DEFAULT-PACKAGE)
dnl Links a program that calls into LIBNAME (e.g. libcurl) with LIBS and
dnl reads from its DT_NEEDED entries the soname the dynamic linker would
dnl have loaded: that is the name to dlopen(), so it is never written by
dnl hand. Defines HERMES_<PREFIX>_SONAME, and HERMES_<PREFIX>_PACKAGE: the
dnl Debian package that ships that file (asked of dpkg-query when there is
dnl one, DEFAULT-PACKAGE otherwise), named in the 503 a missing library
dnl gives. Needs CPPFLAGS to reach the headers (set by the caller).
AC_DEFUN([HERMES_LAZY_SONAME], [
  AC_REQUIRE([HERMES_PROG_READELF])
  AC_MSG_CHECKING([the soname of $2])
  hermes_save_LIBS=$LIBS
  LIBS="$3 $LIBS"
  hermes_soname=
  hermes_libfile=
  AC_LINK_IFELSE([AC_LANG_PROGRAM([$4], [$5])], [
    hermes_soname=`$READELF -d conftest$EXEEXT 2>/dev/null |
      sed -n 's/.*(NEEDED).*\@<:@\($2\.so@<:@^@:>@@:>@*\)\@:>@.*/\1/p' | sed -n 1p`
    AS_IF([test -n "$hermes_soname" && test "x$cross_compiling" != xyes], [
      hermes_libfile=`ldd conftest$EXEEXT 2>/dev/null |
        sed -n "s/^@<:@ 	@:>@*$hermes_soname => \(@<:@^ @:>@*\) .*/\1/p" | sed -n 1p`
    ])
  ])
  LIBS=$hermes_save_LIBS
  AS_IF([test -z "$hermes_soname"],
    [AC_MSG_ERROR([could not read the soname of $2 from a program linked with $3 ($READELF -d): install $6 and its -dev package])])
  AC_MSG_RESULT([$hermes_soname])
  AC_MSG_CHECKING([the Debian package that ships $hermes_soname])
  hermes_package=
  AS_IF([test -n "$hermes_libfile" && command -v dpkg-query >/dev/null 2>&1], [
    for hermes_f in "$hermes_libfile" `readlink -f "$hermes_libfile" 2>/dev/null`; do
      hermes_package=`dpkg-query -S "$hermes_f" 2>/dev/null | sed -n '1s/^\(@<:@^:,@:>@*\).*/\1/p'`
      test -z "$hermes_package" || break
    done
  ])
  AS_IF([test -z "$hermes_package"], [hermes_package="$6"])
  AC_MSG_RESULT([$hermes_package])
  AC_DEFINE_UNQUOTED([HERMES_$1_SONAME], ["$hermes_soname"],
    [soname of $2, dlopen()ed on first use])
  AC_DEFINE_UNQUOTED([HERMES_$1_PACKAGE], ["$hermes_package"],
    [Debian package that ships $2 (named when it cannot be loaded)])
])

AC_DEFUN([HERMES_PROG_READELF], [
  AC_CHECK_TOOLS([READELF], [readelf eu-readelf], [])
  AS_IF([test -z "$READELF"], [AC_MSG_ERROR([readelf not found: install binutils])])
])
