#ifndef NALABO_CTERMINAL_H
#define NALABO_CTERMINAL_H

/// The size of the terminal on `fd` (TIOCGWINSZ); returns 0 on success, -1 with errno set otherwise.
/// Swift cannot call the variadic ioctl(2) itself.
int nalabo_window_size(int fd, unsigned short *rows, unsigned short *columns);

#endif
