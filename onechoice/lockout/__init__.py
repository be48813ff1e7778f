"""Login lockout: django-axes, as the portal sets it up (settings: AXES_*, LOCKOUT_*).

* An account is locked for ``AXES_COOLOFF_TIME`` after ``AXES_FAILURE_LIMIT`` failed logins
  for its username, from whatever addresses they came: behind the load balancer every
  client used to share one address, and a key of username *and* address let anyone try
  five passwords per address.
* Beside it, an address is locked after ``LOCKOUT_FAILURES_PER_ADDRESS`` failures for any
  usernames (one client guessing many accounts). The address is the client's as
  ``onechoice.http.client_ip`` reads it (X-Forwarded-For only from a trusted proxy).
* A successful login clears its username's failures only, never the address's: one valid
  account must not wipe the count of another that is being guessed from the same place.
* The secretariat sees the failures in the admin (「ログイン制限」) and unlocks an account
  by deleting its rows; ``onechoice.roles`` gives it the permissions.

The modules: ``apps`` (the axes app under a Japanese name, with the admin below), ``handler``
(the two limits), ``admin`` (a Japanese state column).
"""
