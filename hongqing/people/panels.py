# panels placeholder
