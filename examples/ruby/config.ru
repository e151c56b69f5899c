# frozen_string_literal: true

# rackup examples/ruby/config.ru   (with ruby/lib on the load path: RUBYLIB=ruby/lib)
require_relative "app"
run NotiflowsExample.from_env(:rack)
