#!/bin/sh
# Serves the home page of the lab's site. The response headers come from /etc/site/headers.conf,
# one "Name: value" per line (blank lines and lines starting with # are skipped), read again on
# every request so that an edit to the learner's site/headers.conf shows at once.
conf=/etc/site/headers.conf
content_type=no

if [ -r "$conf" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%"$(printf '\r')"}
        case $line in
            ''|'#'*) continue ;;
        esac
        name=${line%%:*}
        value=${line#*:}
        # A header name is a token: letters, digits and - only. Anything else is skipped.
        case $name in
            ''|*[!A-Za-z0-9-]*) continue ;;
        esac
        [ "$name" = "$line" ] && continue
        # Trim the spaces around the value.
        value=$(printf '%s' "$value" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
        case $(printf '%s' "$name" | tr 'A-Z' 'a-z') in
            content-type) content_type=yes ;;
            content-length|connection|transfer-encoding) continue ;;
        esac
        printf '%s: %s\r\n' "$name" "$value"
    done <"$conf"
else
    # Say why in the response itself: a learner's umask of 077 makes the file unreadable for the
    # server's user (www), and the page would silently lose every configured header.
    printf 'X-Lab-Problem: site/headers.conf is missing or not readable by the web server; run: chmod a+rX site site/headers.conf\r\n'
fi
[ "$content_type" = yes ] || printf 'Content-Type: text/html; charset=utf-8\r\n'
printf '\r\n'

[ "$REQUEST_METHOD" = HEAD ] && exit 0
cat <<'HTML'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Riverside Community Radio</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<h1>Riverside Community Radio</h1>
<p>Independent news from the river towns, every day since 1998.</p>
<p>Volunteers: the members area opens again next week.</p>
</body>
</html>
HTML
