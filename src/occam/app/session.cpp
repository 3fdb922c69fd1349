#include "occam/app/session.h"

#include "occam/config/build.h"
#include "occam/tensor/threads.h"

namespace occam::app {

data::Batcher Session::train_batcher() const {
  return data::Batcher(*data.train, data::BatcherConfig{config.training.batch_size, true, false},
                       Rng(config.seed + 2));
}

std::unique_ptr<Session> open_session(config::RunConfig cfg) {
  auto s = std::make_unique<Session>();
  set_num_threads(cfg.threads);
  s->data = data::load_splits(cfg.data, cfg.seed);
  if (s->data.train->sample_shape() != cfg.model.input_shape)
    throw ConfigError(cfg.source + ": model.input_shape is " + shape_str(cfg.model.input_shape) +
                      " but the data's samples are " + shape_str(s->data.train->sample_shape()));
  Rng init_rng(cfg.seed);
  s->model = config::build_model(cfg.model, cfg.convention, init_rng);
  s->optimizer = config::build_optimizer(cfg.optimizer, s->model->parameters());
  const int64_t batch = cfg.training.batch_size;
  config::resolve_schedule(cfg, (s->data.train->size() + batch - 1) / batch);
  s->schedule = optim::make_schedule(cfg.schedule);
  s->task = config::build_task(cfg.task);
  s->trainer = std::make_unique<train::Trainer>(
      *s->model, *s->optimizer, [sch = s->schedule.get()](int64_t k) { return sch->lr_at(k); },
      s->task, train::TrainerOptions{cfg.training.fused_regularizers, true}, Rng(cfg.seed + 1));
  s->config = std::move(cfg);
  return s;
}

}  // namespace occam::app
